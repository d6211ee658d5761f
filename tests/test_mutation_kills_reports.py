"""The reports rules at the edges mutation testing found unpinned (scripts/mutation.sh,
issue 10)."""
