"""Run one benchmark case in this process (used by the harness).

    python -m benchmarks.one MODULE NAME [REPEAT]           every run, then the result as JSON
    python -m benchmarks.one --serve MODULE NAME [REPEAT]   set up, then one run per "run" line on
                                                            stdin, the result after "finish"
"""

import json
import os
import sys

from benchmarks.harness import run_in_this_process, serve

args = sys.argv[1:]
if args and args[0] == "--serve":
    module, name = args[1], args[2]
    repeat = int(args[3]) if len(args) > 3 else None
    # the answers go to the real stdout; anything the case prints goes to stderr
    # (file descriptor 1 too: a child process that inherits it must not write into the answers)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(module, name, repeat, channel)
else:
    module, name = args[0], args[1]
    repeat = int(args[2]) if len(args) > 2 else None
    print(json.dumps(run_in_this_process(module, name, repeat), ensure_ascii=False))
