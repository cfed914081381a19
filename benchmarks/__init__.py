"""Benchmarks of the SDK against raw httpx and the openai SDK on a loopback server."""
