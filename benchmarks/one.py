"""Run one benchmark case in this process and print its result as JSON (used by the harness)."""

import json
import sys

from benchmarks.harness import run_in_this_process

module, name = sys.argv[1], sys.argv[2]
repeat = int(sys.argv[3]) if len(sys.argv) > 3 else None
print(json.dumps(run_in_this_process(module, name, repeat), ensure_ascii=False))
