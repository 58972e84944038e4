"""CrossGuard policy pack ``aks-rwx-training`` (see ``policies/README.md``)."""
