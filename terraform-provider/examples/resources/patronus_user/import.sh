# A user is imported by id or by email address. The password is not imported.
terraform import patronus_user.ann 0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import patronus_user.ann ann@acme.example
