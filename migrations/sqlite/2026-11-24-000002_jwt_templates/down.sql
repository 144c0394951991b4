DROP TABLE jwt_templates;
