# An enrollment token is imported by <site id or name>/<token id or description>. Its secret is
# shown only at creation, so an imported token has none in state.
terraform import patronus_enrollment_token.berlin berlin/0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import patronus_enrollment_token.berlin berlin/edge-berlin-01
