"""The delivery control plane's components (bootstrap/, a Pulumi project of its own).

* :class:`StateBackend` (``state.py``): storage account and container of the azblob:// backend.
* :class:`SecretsProvider` (``secrets.py``): Key Vault and key of the azurekeyvault:// provider.
* :class:`DeliveryIdentity` (``identities.py``): a user-assigned identity and its GitHub
  OIDC federated credentials.
* :class:`RoleGrant` (``grants.py``): one custom role and its assignments.
* ``roles.py``: what each identity may do, as data; ``config.py``: the validated config.

They live beside the bootstrap program, not in the repository's ``components/``: the
language host puts only ``bootstrap/`` on the import path, and nothing here is deployed per
environment.
"""
