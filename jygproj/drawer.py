"""One chart-drawing process for all the kernels of a command (``--all-units``, issue 18).

A report's kernel draws its charts in a process beside it (jygproj.charts._Drawer: vl-convert holds
the GIL while it draws). Each such process starts vl-convert's engine (~0.35 CPU-s, and its
memory); the lent kernels of ``--all-units`` share one instead: the command starts it
(:func:`start`) and tells its kernels where it listens (``$JYGPROJ_DRAWER``, a Unix socket in a
folder of its own), and each kernel's drawings are served by a thread of its own there (vl-convert
draws for two threads at once). The same library and fonts draw the same bytes. A kernel that
cannot reach it starts its own, as a report run alone does. Light: the command imports this without
altair or polars.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile

#: Where the shared drawing process listens (set by the command in its kernels' environment).
ENV = "JYGPROJ_DRAWER"

#: The loop of a drawing process, the shared one's and a kernel's own (jygproj.charts._DRAWER_CODE):
#: requests (number, and the pickled "svg" and a spec, or "png" and an SVG, with keyword arguments)
#: received on ``inp``, answers (number, whether it worked, the drawing or the error) sent on ``out``,
#: until ``inp`` ends. The same request (its pickled bytes) is answered with the drawing made for it
#: before, or being made (a thread of the shared process waits for another's): the kernels of
#: ``--all-units`` each ask for the city-wide charts, and a few units' charts are the same picture
#: (the same spec gives the same SVG, the same SVG the same PNG: issue 18). Text, run by ``python -c``
#: without any jygproj import (the process starts in ~0.06 s).
SERVE_CODE = r"""
import pickle, threading
_drawn = {}  # pickled request -> its drawing (the least recently used dropped first)
_drawing = {}  # pickled request -> an Event set once it is drawn (or failed)
_lock = threading.Lock()
_KEPT = 160  # drawings: the SVG and PNG of the ~70 distinct charts of an --all-units run

def draw(request):
    while True:
        with _lock:
            drawn = _drawn.pop(request, None)
            if drawn is not None:
                _drawn[request] = drawn
                return drawn
            other = _drawing.get(request)
            if other is None:
                _drawing[request] = mine = threading.Event()
                break
        other.wait()  # drawn by another thread: kept by now (or failed: tried here again)
    try:
        kind, payload, kw = pickle.loads(request)
        drawn = (vlc.vegalite_to_svg if kind == "svg" else vlc.svg_to_png)(payload, **kw)
        with _lock:
            if len(_drawn) >= _KEPT:
                del _drawn[next(iter(_drawn))]
            _drawn[request] = drawn
        return drawn
    finally:
        with _lock:
            del _drawing[request]
        mine.set()

def serve(inp, out):
    while True:
        try:
            number, request = inp.recv()
        except (EOFError, OSError):
            break
        try:
            answer = (number, True, draw(request))
        except Exception as exc:
            answer = (number, False, exc)
        try:
            out.send(answer)
        except Exception:
            out.send((number, False, RuntimeError(repr(answer[2]))))
    out.close()
"""

#: The shared drawing process: the listening socket is given to it open (argv[1], its descriptor), so
#: a kernel may connect before it is up; one thread per connection, requests and answers as in
#: jygproj.charts._DRAWER_CODE (multiprocessing.connection messages); it ends when its stdin does
#: (the command's end). No jygproj import: it starts in ~0.06 s.
_CODE = r"""
import os, socket, sys, threading
from multiprocessing.connection import Connection
import vl_convert as vlc
listening = socket.socket(fileno=int(sys.argv[1]))

""" + SERVE_CODE + r"""

def end():
    sys.stdin.buffer.read()
    os._exit(0)

threading.Thread(target=end, daemon=True).start()
while True:
    sock, _ = listening.accept()
    conn = Connection(sock.detach())
    threading.Thread(target=serve, args=(conn, conn), daemon=True).start()
"""


def start(stack: contextlib.ExitStack) -> dict[str, str]:
    """Start the shared drawing process; ended (and waited for) when ``stack`` closes. Returns the
    environment that points kernels to it ({} when it cannot start: each kernel starts its own)."""
    folder = tempfile.mkdtemp(prefix="jygproj-drawer-")  # private (0o700): only this user connects
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    address = os.path.join(folder, "socket")
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listening.bind(address)
        listening.listen()
        proc = subprocess.Popen([sys.executable, "-c", _CODE, str(listening.fileno())],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                pass_fds=(listening.fileno(),), start_new_session=True)
    except OSError:
        return {}
    finally:
        listening.close()
    stack.callback(_end, proc)
    return {ENV: address}


def _end(proc: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        proc.stdin.close()  # it ends at once (os._exit)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
