"""ogedge's edge: the CLI, and (as the product grows) HTTP, Lambda, cache stores and settings. Imports renderer."""
