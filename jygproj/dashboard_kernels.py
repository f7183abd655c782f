"""The dashboard's kernels (`jygproj dashboard`): every page opened starts one, and they end.

Every page load starts a kernel that runs the planner (about 290 MiB each, 272 MiB of it its own, measured in
benchmarks/bench_dashboard.py). Voilà shuts a page's kernel down when the browser leaves the page
(its ``beforeunload`` request); this manager ends the rest (issue 17: 20 sessions closed still held
20 kernels, 5.7 GB, 20 minutes later):

- a kernel with no page connected (the tab was closed without notice, crashed, or the page was
  only fetched) is culled after ``cull_idle_timeout`` seconds idle (jupyter_server's own culler,
  ``cull_connected`` off);
- a kernel whose page is still open but untouched is culled after :attr:`open_idle_timeout`
  seconds idle (the page then needs reloading);
- at most :attr:`max_kernels` run at once; one more page gets a Chinese message (HTTP 503) instead
  of a kernel.

With preheating (Voilà's ``preheat_kernel``, which wraps this class), the kernels kept ready count
against the cap, a page takes one without a new start, and the pool is filled again whenever a kernel
ends (Voilà refills it only when a page takes one: after the cap was reached once, pages would
otherwise wait for a cold kernel for good).

Voilà is told to use it by ``--VoilaConfiguration.multi_kernel_manager_class`` (jygproj.commands.dashboard).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer


def full_message(limit: int, idle_s: int) -> str:
    """What one page too many shows (Chinese only: it is read by the people using the dashboard)."""
    return (f"情景推演看板同时打开的页面已达上限（{limit} 个），暂不能再打开。请关闭不用的看板页面后刷新本页；"
            f"已关闭的页面占用的资源会在约 {max(1, round(idle_s / 60))} 分钟内自动释放。")


class DashboardKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager with a cap on running kernels and a second idle timeout for
    kernels whose page is still open."""

    max_kernels = Integer(8, config=True, help="Kernels (dashboard pages) running at once; one more is refused.")
    open_idle_timeout = Integer(1800, config=True,
                                help="Seconds a kernel with a page still connected may stay idle (0: never culled).")

    def __init_subclass__(cls, **kwargs):
        """Voilà's preheating wraps this class (voila_kernel_manager_factory); its hand-over of a
        preheated kernel to a page counts as activity here, or a kernel that waited in the pool
        longer than the idle timeout would be culled before the page connects."""
        super().__init_subclass__(**kwargs)
        take = cls.__dict__.get("get_rendered_notebook")
        if take is None:
            return

        async def get_rendered_notebook(self, *args, **kw):
            out = await take(self, *args, **kw)
            kernel_id = out[2]
            if kernel_id in self:
                self.get_kernel(kernel_id).last_activity = utcnow()
            return out

        cls.get_rendered_notebook = get_rendered_notebook

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting: set[str] = set()  # kernels being started: counted before they are listed
        self._stopping = False  # the server is shutting down: no refill

    async def start_kernel(self, *, kernel_id: str | None = None, path=None, **kwargs) -> str:
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        running = set(self.list_kernel_ids()) | self._starting
        if len(running) >= self.max_kernels:
            self.log.warning("Refused a kernel: %d of %d running", len(running), self.max_kernels)
            raise web.HTTPError(503, full_message(self.max_kernels, self.cull_idle_timeout))
        kernel_id = kernel_id or str(uuid.uuid4())
        self._starting.add(kernel_id)
        try:
            return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        finally:
            self._starting.discard(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        if kernel_id not in self:  # shut down since the culler listed it (a page left meanwhile)
            return
        await super().cull_kernel_if_idle(kernel_id)  # no page connected, or dead
        if self.open_idle_timeout <= 0 or kernel_id not in self:
            return
        kernel = self.get_kernel(kernel_id)
        idle = utcnow() - getattr(kernel, "last_activity", utcnow())
        if (getattr(kernel, "execution_state", None) != "busy" and self.kernel_model(kernel_id)["connections"]
                and idle > timedelta(seconds=self.open_idle_timeout)):
            self.log.warning("Culling kernel %s: page open but idle for %d s", kernel_id, idle.total_seconds())
            await self.shutdown_kernel(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        out = await super().shutdown_kernel(kernel_id, *args, **kwargs)
        self._refill()
        return out

    async def shutdown_all(self, *args, **kwargs):
        self._stopping = True
        return await super().shutdown_all(*args, **kwargs)

    def _refill(self) -> None:
        """Fill the preheated pool again (when preheating is on): its failed starts (refused at the cap)
        are dropped so that the freed slot gets a preheated kernel."""
        pools = getattr(self, "_pools", None)
        if self._stopping or pools is None:
            return
        for name, pool in pools.items():
            pool[:] = [t for t in pool if not (t.done() and (t.cancelled() or t.exception() is not None))]
            self.fill_if_needed(notebook_name=name)
