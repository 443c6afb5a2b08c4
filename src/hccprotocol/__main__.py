"""``python -m hccprotocol`` runs the command line."""

from hccprotocol.cli import main

main()
