package redirect

import "testing"

func TestStoreApplyTakesExternalID(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	a, b := testLink("a"), testLink("b")
	a.ExternalID, b.ExternalID = "x-1", "x-1"
	mustCreate(t, s, a)
	if err := s.Create(t.Context(), b); err == nil {
		t.Fatal("a second link with the same external id was created")
	}
	if _, err := s.ApplyNewerUnsynced(t.Context(), b); err != nil { // replicated state wins
		t.Fatal(err)
	}
	got, err := s.GetByExternalID(t.Context(), DefaultWorkspaceID, "x-1")
	if err != nil || got.ID != b.ID {
		t.Fatalf("after Apply: %v, %v", got, err)
	}
	a.ExternalID = "x-2" // a leaves x-1: b's index entry stays
	if err := s.Put(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetByExternalID(t.Context(), DefaultWorkspaceID, "x-1"); err != nil || got.ID != b.ID {
		t.Errorf("x-1 after a moved away: %v, %v", got, err)
	}
	if got, err := s.GetByExternalID(t.Context(), DefaultWorkspaceID, "x-2"); err != nil || got.ID != a.ID {
		t.Errorf("x-2: %v, %v", got, err)
	}
}
