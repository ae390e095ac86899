# An API token is imported by id or by name. Its secret is shown only at creation, so an
# imported token has none in state.
terraform import patronus_api_token.ci 0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import patronus_api_token.ci ci-pipeline
