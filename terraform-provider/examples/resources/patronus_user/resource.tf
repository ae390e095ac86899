resource "patronus_user" "ann" {
  email        = "ann@acme.example"
  display_name = "Ann Example"
  role         = "operator"
  password     = var.ann_initial_password
}

variable "ann_initial_password" {
  type      = string
  sensitive = true
}
