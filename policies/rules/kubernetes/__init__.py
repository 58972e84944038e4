"""Resource policies for Kubernetes objects (PersistentVolume, PVC, StorageClass)."""
