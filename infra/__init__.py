"""`infra`: preview, check and diff this repository's Pulumi stacks offline."""
