// SkillHost
