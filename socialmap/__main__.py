from socialmap.cli import main

raise SystemExit(main())
