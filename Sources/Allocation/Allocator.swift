import Addressing

// Placeholder until the allocation core lands (issue 2, item 6).
public enum AllocationModule {}
