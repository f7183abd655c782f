import sys

from jygproj.cli import main

sys.exit(main())
