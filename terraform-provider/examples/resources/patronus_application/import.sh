# An application is imported by its id or by its name.
terraform import patronus_application.intranet 0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import patronus_application.intranet intranet
