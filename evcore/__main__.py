import sys

from evcore.cli import main

sys.exit(main())
