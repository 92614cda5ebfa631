import Addressing

// Placeholder until the election core lands (issue 2, item 5).
public enum ElectionModule {}
