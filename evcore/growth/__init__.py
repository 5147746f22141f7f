"""Growth: how many EVs each area will have (a pooled diffusion model over an adoption history)
and the scenarios that scale demand and arrivals to a target year."""

from evcore.growth.diffusion import BassDiffusion
from evcore.growth.scenario import (compound_growth, demand_in_year, growth_answer, growth_factors, growth_for_year,
                                    linear_growth, project_history, rate_from_percent, scale_demand, scenario_factors)

__all__ = ["BassDiffusion", "project_history", "growth_factors", "scale_demand", "compound_growth", "linear_growth",
           "growth_answer", "demand_in_year", "scenario_factors",
           "growth_for_year", "rate_from_percent"]
