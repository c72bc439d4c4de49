"""One cog per concern: asking (slash and mentions), browsing, administration."""
