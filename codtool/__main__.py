from codtool.cli import main

main()
