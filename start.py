from sms_sim.cli import main

raise SystemExit(main())
