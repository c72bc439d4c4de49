"""End-to-end tests of the Discord adapter against a local Discord emulator."""
