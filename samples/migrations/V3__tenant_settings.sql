CREATE TABLE tenant_settings (
    setting_key VARCHAR(100) PRIMARY KEY,
    setting_value VARCHAR(1000) NOT NULL
);
INSERT INTO tenant_settings (setting_key, setting_value) VALUES ('tenant', '${tenant}');
INSERT INTO tenant_settings (setting_key, setting_value) VALUES ('plan', '${plan}');
