"""Trains the demonstration classifier (illustrative; pedigree never runs this file)."""
import torch

model = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
torch.save(model.state_dict(), "checkpoints/classifier.pt")
