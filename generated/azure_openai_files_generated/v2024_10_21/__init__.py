"""A client library for accessing Azure OpenAI Files"""
