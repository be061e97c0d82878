from atlasmaps.cli import main

main()
