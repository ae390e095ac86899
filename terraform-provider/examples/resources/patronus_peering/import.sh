# A peering is imported by its id or by its name (by default <site a>--<site b>).
terraform import patronus_peering.hamburg_munich 0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import patronus_peering.hamburg_munich hamburg--munich
