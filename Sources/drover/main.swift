import DroverCLI

Drover.main()
