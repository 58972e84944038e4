"""Resource policies for azure-native recoveryservices (Azure Backup vaults)."""
