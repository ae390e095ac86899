# By the site's id. Neighbour passwords are write-only: give them in the configuration.
terraform import patronus_site_bgp.paris 0192b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b
