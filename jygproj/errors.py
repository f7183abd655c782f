"""The one shape of every error jygproj raises for a user: a Chinese message with the English code
beside it (``"… [input_changed_during_run]"``), and the code on ``.code`` for programs and tests."""

from __future__ import annotations


class JygprojError(Exception):
    """Base of the package's errors. Subclasses set a default ``code`` or pass one per raise."""

    code = "error"

    def __init__(self, message: str, code: str | None = None):
        if code is not None:
            self.code = code
        super().__init__(f"{message} [{self.code}]")

    def __reduce__(self):
        # the same error on the other side of a process boundary (a worker's, concurrent.futures):
        # pickle's default calls __init__ again with the final text, which would add the code twice
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type, args: tuple, state: dict) -> JygprojError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class UsageError(JygprojError, ValueError):
    """A parameter or argument a user gave cannot be used (a command exits with status 2)."""

    code = "usage"
