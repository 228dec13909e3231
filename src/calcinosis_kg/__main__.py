from calcinosis_kg.cli import main

main()
