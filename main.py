"""Open the SocialMap desktop application.

    python main.py [PROJECT.gpkg] [--screenshot OUT.png]
"""

import sys

if __name__ == "__main__":
    from socialmap.ui.app import run_app

    sys.exit(run_app(sys.argv[1:]))
