"""Resource policies for azure-native storage (StorageAccount, FileServiceProperties, FileShare)."""
