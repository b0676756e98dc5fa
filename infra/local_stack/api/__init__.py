"""A local API Gateway (REST API, Lambda proxy integrations, Lambda authorizers)."""
