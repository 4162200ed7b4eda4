namespace Tyto.Actors;

/// <summary>An event persisted to the journal, serialized by <see cref="Persistence.TytoSerializer"/>.</summary>
public interface ITytoEvent;

/// <summary>A state persisted as a snapshot, serialized by <see cref="Persistence.TytoSerializer"/>.</summary>
public interface ITytoSnapshot;
