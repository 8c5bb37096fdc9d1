from deployer.cli.entry import main

raise SystemExit(main())
