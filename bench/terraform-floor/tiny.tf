# bench/terraform_floor.sh applies this (shape "tiny"): Terraform's own cost for as many
# resources as bench/terraform/main.tf, with no provider plugin and no network (terraform_data is
# built in), each storing one number.
variable "sites" {
  type    = number
  default = 1000
}

resource "terraform_data" "site" {
  count = var.sites
  input = count.index
}

resource "terraform_data" "fiber" {
  count = var.sites
  input = terraform_data.site[count.index].id
}

resource "terraform_data" "lte" {
  count = var.sites
  input = terraform_data.site[count.index].id
}
