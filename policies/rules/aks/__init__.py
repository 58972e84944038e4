"""Resource policies for azure-native containerservice ManagedCluster (and AgentPool)."""
