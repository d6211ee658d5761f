"""The rule modules at the edges mutation testing found unpinned (scripts/mutation.sh,
issue 10)."""
