# A site is imported by its id or by its name. The import reads all of the site's links: a
# configuration that lists them in `links` shows no change afterwards, and neither does one that
# leaves `links` out (the links then stay managed apart, e.g. as patronus_link).
terraform import patronus_site.berlin 0192b3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
terraform import patronus_site.berlin berlin
