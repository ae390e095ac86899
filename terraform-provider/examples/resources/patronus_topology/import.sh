# There is one topology per tenant: any id imports it.
terraform import patronus_topology.this topology
