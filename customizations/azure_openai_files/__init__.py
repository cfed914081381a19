"""Typed client for the Azure OpenAI Files API."""
