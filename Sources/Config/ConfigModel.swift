import Addressing

// Placeholder until the configuration core lands (issue 2, item 3).
public enum ConfigModule {}
