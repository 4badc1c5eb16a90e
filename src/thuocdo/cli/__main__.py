import sys

from thuocdo.cli import main

sys.exit(main())
