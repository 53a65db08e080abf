# Renders one BOSH job template the way the director does, with Debian's ruby (the BOSH CLI and its
# template gem are not available here): p, if_p, link, if_link (with .else), spec, and the job
# spec's property defaults. A property or link the job spec does not declare is an error, as in BOSH.
#
#   ruby render-bosh-template.rb <job spec> <context.json> <template.erb>
#   ruby render-bosh-template.rb <job spec> <context.json> --all <output dir>
#     (every template of the spec, from templates/ beside it, to <output dir>/<destination>)
#
# context.json: {"properties": {nested hash}, "links": {"nats": {"properties": {...},
#   "instances": [{"address": "...", "index": 0, ...}], "address": "..."}}, "spec": {"address": "...", ...}}
require 'erb'
require 'json'
require 'yaml'
require 'ostruct'
require 'fileutils'

class UnknownProperty < StandardError; end

module PropertyLookup
  def lookup(hash, dotted)
    dotted.split('.').reduce(hash) do |node, key|
      return [false, nil] unless node.is_a?(Hash) && node.key?(key)
      node[key]
    end.then { |v| [true, v] }
  end
end

class LinkView
  include PropertyLookup
  attr_reader :instances, :address

  def initialize(name, data)
    @name = name
    @properties = data.fetch('properties', {})
    @instances = data.fetch('instances', []).map { |i| OpenStruct.new(i) }
    # The link's DNS address (BOSH DNS: q-s0.<group>.<network>.<deployment>.bosh), when given.
    @address = data['address']
  end

  def p(name, *default)
    found, value = lookup(@properties, name)
    return value if found && !value.nil?
    return default.first unless default.empty?
    raise UnknownProperty, "link '#{@name}' has no property '#{name}'"
  end

  def if_p(*names)
    values = names.map { |n| found, v = lookup(@properties, n); return ActiveElse.new unless found && !v.nil?; v }
    yield(*values)
    InactiveElse.new
  end
end

class ActiveElse
  def else
    yield
  end
end

class InactiveElse
  def else; end
end

class Template
  include PropertyLookup

  def initialize(job_spec, context)
    @declared = job_spec.fetch('properties', {}) || {}
    @consumes = (job_spec.fetch('consumes', []) || []).map { |c| c['name'] }
    @properties = context.fetch('properties', {})
    @links = context.fetch('links', {})
    @spec = OpenStruct.new(context.fetch('spec', {}))
  end

  attr_reader :spec

  def p(*args)
    names = Array(args[0])
    names.each do |name|
      raise UnknownProperty, "property '#{name}' is not declared in the job spec" unless @declared.key?(name)
      found, value = lookup(@properties, name)
      return value if found && !value.nil?
      return @declared[name]['default'] if @declared[name].is_a?(Hash) && @declared[name].key?('default')
    end
    return args[1] if args.length == 2
    raise UnknownProperty, "Can't find property '#{names.join("', '")}'"
  end

  def if_p(*names)
    values = names.map do |name|
      raise UnknownProperty, "property '#{name}' is not declared in the job spec" unless @declared.key?(name)
      found, value = lookup(@properties, name)
      value = @declared[name]['default'] if (!found || value.nil?) && @declared[name].is_a?(Hash)
      return ActiveElse.new if value.nil?
      value
    end
    yield(*values)
    InactiveElse.new
  end

  def link(name)
    raise UnknownProperty, "link '#{name}' is not consumed by the job spec" unless @consumes.include?(name)
    raise UnknownProperty, "link '#{name}' is not provided" unless @links.key?(name)
    LinkView.new(name, @links[name])
  end

  def if_link(name)
    raise UnknownProperty, "link '#{name}' is not consumed by the job spec" unless @consumes.include?(name)
    return ActiveElse.new unless @links.key?(name)
    yield link(name)
    InactiveElse.new
  end

  def render(source)
    ERB.new(source, trim_mode: '-').result(binding)
  end
end

spec_file = ARGV.fetch(0)
job_spec = YAML.safe_load(File.read(spec_file))
context = JSON.parse(File.read(ARGV.fetch(1)))
if ARGV[2] == '--all'
  out_dir = ARGV.fetch(3)
  job_spec.fetch('templates').each do |source, destination|
    begin
      rendered = Template.new(job_spec, context).render(File.read(File.join(File.dirname(spec_file), 'templates', source)))
    rescue StandardError => e
      warn "#{source}: #{e.class}: #{e.message}"
      exit 1
    end
    target = File.join(out_dir, destination)
    FileUtils.mkdir_p(File.dirname(target))
    File.write(target, rendered)
  end
else
  begin
    $stdout.write(Template.new(job_spec, context).render(File.read(ARGV.fetch(2))))
  rescue StandardError => e
    warn "#{File.basename(ARGV[2])}: #{e.class}: #{e.message}"
    exit 1
  end
end
