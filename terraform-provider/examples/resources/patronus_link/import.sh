# A link is imported by its id, or by <site id or name>/<link name>.
terraform import patronus_link.berlin_fiber 0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import patronus_link.berlin_fiber berlin/fiber
