from deployer.entry import main

raise SystemExit(main())
